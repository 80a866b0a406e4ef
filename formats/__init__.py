"""Mask formats both sides share: the DAVIS id PNG and the boxes a mask implies.

    from formats.davis import davis_palette, read_id_png     # DAVIS palette PNGs of object ids
    from formats.mask_geometry import rotated_box_from_mask  # the official SiamMask box rule

numpy, OpenCV and Pillow only: the web app (annotator), the tracker (tracking_worker.siammask)
and the evaluation tool all import it, so it never imports Django or torch
(tests/test_import_boundaries.py).
"""
