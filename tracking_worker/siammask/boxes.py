"""Boxes from masks: the official rule lives in formats.mask_geometry (shared with the web side)."""

from formats.mask_geometry import mask_to_xywh, rotated_box_from_mask, xywh_corners

__all__ = ["mask_to_xywh", "rotated_box_from_mask", "xywh_corners"]
