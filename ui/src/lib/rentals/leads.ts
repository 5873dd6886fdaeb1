// Reminder lead times as the user types them: hours, comma separated ("24, 1, 0.5"),
// stored as minutes. Empty turns reminders off.

/** `[1440, 60, 30]` -> `"24, 1, 0.5"`. */
export function formatLeads(minutes: readonly number[]): string {
  return minutes
    .map((m) => {
      const whole = Math.trunc(m / 60);
      const rest = m % 60;
      if (rest === 0) return String(whole);
      return rest === 30 ? `${whole}.5` : `${whole}:${String(rest).padStart(2, '0')}`;
    })
    .join(', ');
}

/**
 * `"24, 1, 0.5"` -> `[1440, 60, 30]` (also `h:mm`); `null` when a part is not a number of
 * hours from 1 minute to 60 days.
 */
export function parseLeads(text: string): number[] | null {
  const parts = text
    .split(/[,，;\s]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const out: number[] = [];
  for (const p of parts) {
    let minutes: number;
    const clock = /^(\d+):([0-5]\d)$/.exec(p);
    const decimal = /^(\d+)(?:\.(\d{1,2}))?$/.exec(p);
    if (clock) minutes = Number(clock[1]) * 60 + Number(clock[2]);
    else if (decimal) {
      const frac = decimal[2] ?? '';
      const hundredths = Number(decimal[1]) * 100 + Number(frac.padEnd(2, '0'));
      if ((hundredths * 60) % 100 !== 0) return null;
      minutes = (hundredths * 60) / 100;
    } else return null;
    if (minutes < 1 || minutes > 60 * 24 * 60) return null;
    if (!out.includes(minutes)) out.push(minutes);
  }
  return out.sort((a, b) => b - a);
}
