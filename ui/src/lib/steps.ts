// The screens of the app, in rail order. Labels and texts are functions so that
// every key is a literal string passed to `t` (found by the catalog test) and re-reads
// the current language when rendered.
import { t } from './i18n';
import type { IconName } from './components/icons';

export type StepId = 'wallet' | 'machine' | 'rent' | 'vm' | 'confirm' | 'connect' | 'omniverse' | 'rentals' | 'settings';

export interface Step {
  id: StepId;
  icon: IconName;
  /** 1-based position in the wizard; absent for My rentals and Settings. */
  number?: number;
  label: () => string;
  title: () => string;
  /** What this screen will do for the user (placeholder screens). */
  body?: () => string;
}

export const WIZARD_STEPS: readonly Step[] = [
  {
    id: 'wallet',
    icon: 'wallet',
    number: 1,
    label: () => t('nav.wallet'),
    title: () => t('screen.wallet.title'),
    body: () => t('screen.wallet.body'),
  },
  {
    id: 'machine',
    icon: 'gpu',
    number: 2,
    label: () => t('nav.machine'),
    title: () => t('screen.machine.title'),
    body: () => t('screen.machine.body'),
  },
  {
    id: 'rent',
    icon: 'coins',
    number: 3,
    label: () => t('nav.rent'),
    title: () => t('screen.rent.title'),
    body: () => t('screen.rent.body'),
  },
  { id: 'vm', icon: 'server', number: 4, label: () => t('nav.vm'), title: () => t('screen.vm.title'), body: () => t('screen.vm.body') },
  {
    id: 'confirm',
    icon: 'check',
    number: 5,
    label: () => t('nav.confirm'),
    title: () => t('screen.confirm.title'),
    body: () => t('screen.confirm.body'),
  },
  {
    id: 'connect',
    icon: 'monitor',
    number: 6,
    label: () => t('nav.connect'),
    title: () => t('screen.connect.title'),
    body: () => t('screen.connect.body'),
  },
  {
    id: 'omniverse',
    icon: 'sparkle',
    number: 7,
    label: () => t('nav.omniverse'),
    title: () => t('screen.omniverse.title'),
    body: () => t('screen.omniverse.body'),
  },
];

export const EXTRA_STEPS: readonly Step[] = [
  {
    id: 'rentals',
    icon: 'clock',
    label: () => t('nav.rentals'),
    title: () => t('screen.rentals.title'),
    body: () => t('screen.rentals.body'),
  },
  { id: 'settings', icon: 'sliders', label: () => t('nav.settings'), title: () => t('settings.title') },
];

export const ALL_STEPS: readonly Step[] = [...WIZARD_STEPS, ...EXTRA_STEPS];

export function stepById(id: StepId): Step {
  const step = ALL_STEPS.find((s) => s.id === id);
  if (!step) throw new Error(`unknown step ${id}`);
  return step;
}
