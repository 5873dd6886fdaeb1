// Localized names for market values. Each key is a literal (the catalog test finds them);
// country names come from the platform (`Intl.DisplayNames`) in the UI language.
import { currentLanguage, t } from '../i18n';
import type { SortKey, StatusFilter } from './filter';
import type { Listing, MachineStatus, Region } from './types';

export function statusLabel(status: MachineStatus): string {
  switch (status) {
    case 'idle':
      return t('market.status.idle');
    case 'partly-rented':
      return t('market.status.partly-rented');
    case 'rented':
      return t('market.status.rented');
    case 'offline':
      return t('market.status.offline');
    case 'exited':
      return t('market.status.exited');
    default:
      return t('market.status.other');
  }
}

/** The status filter's options: its own words for "idle" (a GPU free now) and "all", else the status's name. */
export function statusFilterLabel(status: StatusFilter): string {
  if (status === 'idle') return t('market.filter.status.idle');
  if (status === 'all') return t('market.filter.status.all');
  return statusLabel(status);
}

export function sortLabel(sort: SortKey): string {
  switch (sort) {
    case 'price':
      return t('market.sort.price');
    case 'price-per-point':
      return t('market.sort.price-per-point');
    case 'free':
      return t('market.sort.free');
    case 'calc':
      return t('market.sort.calc');
    case 'memory':
      return t('market.sort.memory');
    default:
      return t('market.sort.online');
  }
}

export function regionLabel(region: Region | string): string {
  switch (region) {
    case 'asia':
      return t('market.region.asia');
    case 'europe':
      return t('market.region.europe');
    case 'north-america':
      return t('market.region.north-america');
    case 'south-america':
      return t('market.region.south-america');
    case 'africa':
      return t('market.region.africa');
    case 'oceania':
      return t('market.region.oceania');
    case 'antarctica':
      return t('market.region.antarctica');
    default:
      return region;
  }
}

const displayNames = new Map<string, Intl.DisplayNames | null>();

/** `CN` -> "China" / "中国" in the UI language; the code itself where the platform has no name. */
export function countryName(code: string): string {
  const lang = currentLanguage() === 'zh' ? 'zh-CN' : 'en';
  if (!displayNames.has(lang)) {
    try {
      displayNames.set(lang, new Intl.DisplayNames([lang], { type: 'region' }));
    } catch {
      displayNames.set(lang, null);
    }
  }
  try {
    return displayNames.get(lang)?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** "China" for a machine with a country, else its continent, else `—`. */
export function placeLabel(m: Pick<Listing, 'country' | 'region'>): string {
  if (m.country) return countryName(m.country);
  if (m.region) return regionLabel(m.region);
  return '—';
}

/** Why "Rent this" is off for the machine, or `null` when it can be rented now. */
export function notRentableReason(m: Pick<Listing, 'status' | 'freeGpus' | 'price'>): string | null {
  switch (m.status) {
    case 'idle':
    case 'partly-rented':
      if (m.freeGpus < 1) return t('market.rent.reason.no-free-gpu');
      if (!m.price) return t('market.rent.reason.no-price');
      return null;
    case 'rented':
      return t('market.rent.reason.no-free-gpu');
    case 'offline':
      return t('market.rent.reason.offline');
    case 'exited':
      return t('market.rent.reason.exited');
    default:
      return t('market.rent.reason.other');
  }
}
