"""The SiamMask sharp network: backbone, depth-wise correlation heads, mask branch, refine."""

from .siammask import SiamMask, SearchOutput, TemplateKernels

__all__ = ["SiamMask", "SearchOutput", "TemplateKernels"]
