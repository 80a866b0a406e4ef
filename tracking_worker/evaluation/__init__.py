"""DAVIS-style evaluation of video object segmentation: J and F measures, dataset I/O, driver.

    from tracking_worker.evaluation.run import evaluate_results
    from tracking_worker.evaluation.report import summarize
    report = summarize(evaluate_results("data/DAVIS", "results/"))

The command line is ``python -m tracking_worker.evaluate``; see docs/evaluation.md.
"""
