// Localized texts for the rental screens: stages, time left, VM progress, reminders and
// the chain's refusals of a confirmation or renewal. Every key is a literal for the catalog test.
import { t } from '../i18n';
import { describeError } from '../errors';
import { toAppError } from '../ipc';
import type { Reminder, Stage, VmEvent } from './types';
import { splitBlocks } from './time';
import { shortId } from '../market/format';
import { formatDateTime } from '../dates';

export function stageLabel(stage: Stage | string): string {
  switch (stage) {
    case 'placing':
      return t('rentals.stage.placing');
    case 'placed':
      return t('rentals.stage.placed');
    case 'vm-creating':
      return t('rentals.stage.vm-creating');
    case 'vm-ready':
      return t('rentals.stage.vm-ready');
    case 'confirming':
      return t('rentals.stage.confirming');
    case 'renting':
      return t('rentals.stage.renting');
    case 'ended':
      return t('rentals.stage.ended');
    case 'lapsed':
      return t('rentals.stage.lapsed');
    case 'failed':
      return t('rentals.stage.failed');
    default:
      return stage;
  }
}

/** Blocks as "2 d 3 h", "2 d", "3 h 20 min", "3 h", "12 min" or "under a minute". */
export function durationLabel(blocks: number): string {
  const { days, hours, minutes } = splitBlocks(blocks);
  if (days > 0) return hours > 0 ? t('time.days-hours', { days, hours }) : t('time.days', { days });
  if (hours > 0) return minutes > 0 ? t('time.hours-minutes', { hours, minutes }) : t('time.hours', { hours });
  if (minutes > 0) return t('time.minutes', { minutes });
  return t('time.under-a-minute');
}

/** A date and time in the UI language: the app's one formatter (../dates.ts). */
export function dateTimeLabel(date: Date): string {
  return formatDateTime(date);
}

/** The DBC client's VM status words, localized where known; others shown as the node wrote them. */
export function vmStatusLabel(status: string | null | undefined): string {
  switch (status) {
    case null:
    case undefined:
    case '':
      return t('vm.status.none');
    case 'creating':
      return t('vm.status.creating');
    case 'running':
      return t('vm.status.running');
    case 'closed':
      return t('vm.status.closed');
    case 'starting':
      return t('vm.status.starting');
    case 'restarting':
      return t('vm.status.restarting');
    case 'deleting':
      return t('vm.status.deleting');
    case 'deleted':
      return t('vm.status.deleted');
    case 'create error':
      return t('vm.status.create-error');
    default:
      return status;
  }
}

/** One line of VM creation progress. */
export function vmEventLabel(e: VmEvent): string {
  switch (e.step) {
    case 'planned':
      return t('vm.event.planned', { image: e.image, cpu: e.cpuCores, mem: e.memGb, disk: e.diskGb, rdp: e.rdpPort });
    case 'create':
      switch (e.event) {
        case 'sending':
          return t('vm.event.sending', { attempt: e.attempt });
        case 'port-conflict':
          return t('vm.event.port-conflict', { rdp: e.rdpPort });
        case 'busy':
          return t('vm.event.busy', { seconds: e.retryInSecs });
        case 'resolving':
          return t('vm.event.resolving');
        case 'resending':
          return t('vm.event.resending');
        default:
          return '';
      }
    case 'poll':
      if (e.error) return t('vm.event.poll-failed', { elapsed: elapsedLabel(e.elapsedSecs), reason: describeError(e.error, t) });
      return t('vm.event.poll', { status: vmStatusLabel(e.status), elapsed: elapsedLabel(e.elapsedSecs) });
    case 'client-switched':
      return t('vm.event.client-switched', { from: e.from, to: e.to });
    default:
      return '';
  }
}

/** Elapsed seconds as `2:05`. */
export function elapsedLabel(seconds: number): string {
  const s = Math.max(0, Math.trunc(seconds));
  return `${Math.trunc(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The title and body of a reminder (banner and desktop notification). */
export function reminderText(r: Reminder): { title: string; body: string } {
  const machine = shortId(r.machineId);
  if (r.kind === 'confirm-window') {
    return {
      title: t('reminder.confirm.title', { rentId: r.rentId }),
      body: t('reminder.confirm.body', { rentId: r.rentId, left: durationLabel(r.blocksLeft), machine }),
    };
  }
  return {
    title: t('reminder.expiry.title', { rentId: r.rentId }),
    body: t('reminder.expiry.body', { rentId: r.rentId, left: durationLabel(r.blocksLeft), machine }),
  };
}

/**
 * An error of a confirmation or renewal, with the chain's own refusals explained: the
 * window closed (`ExpiredConfirm`), the machine is no longer in a state that takes it
 * (`StatusNotAllowed`), the order is gone, or the renewal was too short.
 */
export function rentalErrorText(err: unknown): string {
  const e = toAppError(err);
  if (e.code === 'tx-failed') {
    switch (e.data?.variant) {
      case 'ExpiredConfirm':
        return t('rental-error.expired-confirm');
      case 'StatusNotAllowed':
        return t('rental-error.status-not-allowed');
      case 'Unknown':
      case 'NoOrderExist':
        return t('rental-error.no-order');
      case 'NotMachineRenter':
        return t('rental-error.not-renter');
      case 'InsufficientValue':
        return t('rental-error.insufficient-value');
      case 'GPUNotEnough':
        return t('rental-error.gpu-not-enough');
      case 'MachineNotRentable':
        return t('rental-error.machine-not-rentable');
      case 'ReletTooShort':
        return t('rental-error.relet-too-short');
      default:
        break;
    }
  }
  return describeError(e, t);
}
