"""Importers: one module per format, turning an archive into tracks for a project's videos.

    IMPORTERS["coco"].check_upload(path)                  # cheap checks, at upload (400)
    videos = IMPORTERS["coco"](path, target).read()       # full checks, in the job

The service `annotator.services.transfers.run_import` drives them and writes the tracks;
docs/formats.md describes what each format may contain.
"""

from annotator.importers.archive import ArchiveError
from annotator.importers.base import Importer, ImportTarget, TargetVideo
from annotator.importers.coco import CocoImporter
from annotator.importers.davis import DavisImporter
from annotator.importers.youtube_vis import YoutubeVisImporter

IMPORTERS: dict[str, type[Importer]] = {
    CocoImporter.format: CocoImporter,
    YoutubeVisImporter.format: YoutubeVisImporter,
    DavisImporter.format: DavisImporter,
}

__all__ = ["IMPORTERS", "ArchiveError", "ImportTarget", "Importer", "TargetVideo"]
