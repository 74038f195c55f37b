import { describe, expect, it } from "vitest";
import type { MeetingQuestion } from "./bindings/MeetingQuestion";
import { questionsByWeek } from "./meeting";

const question = (id: string, week: string): MeetingQuestion => ({
  id,
  week,
  subject_kind: "ticket",
  subject_id: null,
  subject_label: "",
  question: `Question ${id}`,
  answer: null,
  answered_at: null,
  created_at: "2026-11-30T09:00:00Z",
});

describe("questionsByWeek", () => {
  it("groups by week, newest week first, keeping each week's order", () => {
    const weeks = questionsByWeek([question("a", "2026-11-23"), question("b", "2026-11-30"), question("c", "2026-11-23")]);
    expect(weeks.map((w) => w.week)).toEqual(["2026-11-30", "2026-11-23"]);
    expect(weeks[1]?.questions.map((q) => q.id)).toEqual(["a", "c"]);
  });
});
