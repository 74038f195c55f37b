// The weekly meeting's questions grouped by week, newest week first, each
// week's questions in the order they were added (as the core lists them).
import type { MeetingQuestion } from "./bindings/MeetingQuestion";

export interface MeetingWeek {
  week: string;
  questions: MeetingQuestion[];
}

export function questionsByWeek(questions: MeetingQuestion[]): MeetingWeek[] {
  const weeks = new Map<string, MeetingQuestion[]>();
  for (const question of questions) {
    const list = weeks.get(question.week) ?? [];
    list.push(question);
    weeks.set(question.week, list);
  }
  return [...weeks.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([week, list]) => ({ week, questions: list }));
}
