// The size column of the videos page: the stored frames' size (what annotators see and every
// coordinate uses) and, when SIAMLABEL_FRAME_MAX_SIDE stored them shrunk, the uploaded size that
// exports are written in.
import type { Video } from "../api/client";

type Sized = Pick<Video, "width" | "height" | "original_width" | "original_height" | "fps">;

export function frameSizeText(video: Sized): string {
  if (!video.width || !video.height) return "—";
  const rate = video.fps ? ` @ ${video.fps.toFixed(1)} fps` : "";
  const { original_width: ow, original_height: oh } = video;
  const shrunk = ow && oh && (ow !== video.width || oh !== video.height);
  const stored = `${video.width}×${video.height}`;
  return shrunk ? `${stored} (uploaded ${ow}×${oh}; exports use it)${rate}` : `${stored}${rate}`;
}
