// The "You and your clocks" form as typed (strings, so nothing typed is ever
// lost) and its conversion to the core's Settings, with client-side checks.
import type { Settings } from "../../lib/bindings/Settings";
import type { FieldMessages } from "../../lib/fieldErrors";

export interface SettingsInput {
  /** A resource id, or "" for nobody chosen. */
  me: string;
  scheduling_link_template: string;
  msa_response_hours: string;
  other_response_hours: string;
  follow_up_after_days: string;
}

const NUMBER_FIELDS = ["msa_response_hours", "other_response_hours", "follow_up_after_days"] as const;
const U32_MAX = 4_294_967_295;

export function toInput(settings: Settings): SettingsInput {
  return {
    me: settings.me ?? "",
    scheduling_link_template: settings.scheduling_link_template,
    msa_response_hours: String(settings.msa_response_hours),
    other_response_hours: String(settings.other_response_hours),
    follow_up_after_days: String(settings.follow_up_after_days),
  };
}

/** A whole number that fits the core's u32, or null. */
export function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= U32_MAX ? value : null;
}

/** The settings to send, or field messages when a number is not a number. */
export function fromInput(input: SettingsInput): { settings: Settings } | { errors: FieldMessages } {
  const errors: FieldMessages = {};
  const numbers = {} as Record<(typeof NUMBER_FIELDS)[number], number>;
  for (const field of NUMBER_FIELDS) {
    const value = wholeNumber(input[field]);
    if (value === null) errors[field] = "Enter a whole number, such as 2.";
    else numbers[field] = value;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    settings: { me: input.me === "" ? null : input.me, scheduling_link_template: input.scheduling_link_template, ...numbers },
  };
}
