// The machine chosen on the Machine screen ("Rent this"), carried into the Rent step.
// Not a rental yet: the rentals themselves (placed, in flight, My rentals) are in
// `rentals.svelte.ts`.
import type { Listing } from './market/types';

export interface SelectedMachine {
  id: string;
  /** The row as it was when chosen (the Rent step re-checks price and GPUs with a quote). */
  listing: Listing;
}

class MachineChoice {
  selectedMachine = $state.raw<SelectedMachine | null>(null);

  choose(listing: Listing): void {
    this.selectedMachine = { id: listing.id, listing };
  }

  clear(): void {
    this.selectedMachine = null;
  }
}

export const machineChoice = new MachineChoice();
