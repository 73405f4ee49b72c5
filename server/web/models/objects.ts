// The objects page: every object of the running revision with its health, or only the problems, a page at a time.
import type { LiveSnapshot } from '../../sync/live.ts';
import { problemObjects } from '../../sync/node-state.ts';

export const OBJECTS_PER_PAGE = 100;

export interface ObjectsQuery {
  problemsOnly: boolean;
  /** The page asked for, as given (clamped here). */
  page: unknown;
}

export function objectsPageModel(live: LiveSnapshot, q: ObjectsQuery) {
  const problems = problemObjects(live.objects);
  const all = q.problemsOnly ? problems : live.objects;
  const pages = Math.max(1, Math.ceil(all.length / OBJECTS_PER_PAGE));
  const page = Math.min(pages, Math.max(1, Number.parseInt(String(q.page ?? '1'), 10) || 1));
  return {
    objects: all.slice((page - 1) * OBJECTS_PER_PAGE, page * OBJECTS_PER_PAGE),
    total: live.objects.length,
    problemCount: problems.length,
    problemsOnly: q.problemsOnly,
    page,
    pages,
    liveError: live.error,
  };
}
