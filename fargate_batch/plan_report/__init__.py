"""``make plan-report``: plan every stack and write plan-report.md for a pull-request comment.

:mod:`.runner` does the work (synthesize, ``terraform init/plan/show -json``, checkov) and
:func:`.render.render_report` turns the results into Markdown without touching anything else.
"""
