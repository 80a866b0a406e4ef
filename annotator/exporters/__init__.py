"""Exporters: one module per format, all streaming into a zip one video at a time.

    exporter_class = EXPORTERS["coco"]
    with ArchiveWriter(path) as archive:
        exporter = exporter_class(archive, project_name=..., categories=..., include_frames=False)
        ...

The service `annotator.services.transfers.run_export` drives them; docs/formats.md describes
each archive.
"""

from annotator.exporters.base import ArchiveWriter, Exporter
from annotator.exporters.coco import CocoExporter
from annotator.exporters.davis import DavisExporter
from annotator.exporters.youtube_vis import YoutubeVisExporter

EXPORTERS: dict[str, type[Exporter]] = {
    CocoExporter.format: CocoExporter,
    YoutubeVisExporter.format: YoutubeVisExporter,
    DavisExporter.format: DavisExporter,
}

__all__ = ["EXPORTERS", "ArchiveWriter", "Exporter"]
