/**
 * A 404 on the workspace's video or track requests: the video (or the track) was deleted, often in
 * another tab. The server's words ("No Video matches the given query.") say little, so the notice
 * says what happened; asking for the video tells a deleted video from a deleted track.
 */

export const VIDEO_GONE = "this video no longer exists (it was deleted, perhaps in another tab); go back to the videos";
export const TRACK_GONE = "this track no longer exists (it was deleted, perhaps in another tab); reload the page";

/** Whether `error` is a 404 (an ApiError, or a frame that could not be fetched). */
export function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { status?: unknown }).status === 404;
}

/**
 * The notice for a failed workspace request: for a 404, whether the video or only the track is gone
 * (`videoExists` asks the server); else the error's own message.
 */
export async function failureText(error: unknown, videoExists: () => Promise<boolean>): Promise<string> {
  if (!isNotFound(error)) return error instanceof Error ? error.message : String(error);
  return (await videoExists()) ? TRACK_GONE : VIDEO_GONE;
}
