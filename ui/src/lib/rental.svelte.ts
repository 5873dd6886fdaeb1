// The machine chosen on the Machine screen ("Rent this"), carried into the Rent step.
import type { Listing } from './market/types';

export interface SelectedMachine {
  id: string;
  /** The row as it was when chosen (the Rent step re-checks price and GPUs with a quote). */
  listing: Listing;
}

class RentalChoice {
  selectedMachine = $state.raw<SelectedMachine | null>(null);

  choose(listing: Listing): void {
    this.selectedMachine = { id: listing.id, listing };
  }

  clear(): void {
    this.selectedMachine = null;
  }
}

export const rental = new RentalChoice();
