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
  /** An IANA zone name, or "" until one is chosen. */
  time_zone: string;
  placeholder_due_hour: string;
  company_name: string;
  workstation_offline_rule: string;
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
    time_zone: settings.time_zone,
    placeholder_due_hour: String(settings.placeholder_due_hour),
    company_name: settings.company_name,
    workstation_offline_rule: settings.workstation_offline_rule,
  };
}

/** A whole number that fits the core's u32, or null. */
export function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= U32_MAX ? value : null;
}

/** An hour of the day, 0 to 23, or null. */
export function hourOfDay(text: string): number | null {
  const value = wholeNumber(text);
  return value !== null && value <= 23 ? value : null;
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
  const placeholderDueHour = hourOfDay(input.placeholder_due_hour);
  if (placeholderDueHour === null) errors.placeholder_due_hour = "Enter an hour from 0 to 23.";
  if (Object.keys(errors).length > 0 || placeholderDueHour === null) return { errors };
  return {
    settings: {
      me: input.me === "" ? null : input.me,
      scheduling_link_template: input.scheduling_link_template,
      ...numbers,
      time_zone: input.time_zone.trim(),
      placeholder_due_hour: placeholderDueHour,
      company_name: input.company_name.trim(),
      workstation_offline_rule: input.workstation_offline_rule.trim(),
    },
  };
}

/** The zones to suggest (the engine's list, plus UTC), or none when the engine cannot list them. */
export function timeZoneSuggestions(): string[] {
  const supported = (Intl as { supportedValuesOf?: (key: "timeZone") => string[] }).supportedValuesOf;
  if (typeof supported !== "function") return [];
  try {
    const zones = supported("timeZone");
    return zones.includes("UTC") ? zones : [...zones, "UTC"];
  } catch {
    return [];
  }
}

/** This computer's zone, e.g. "Europe/Berlin", or "" when the engine does not say. */
export function systemTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}
