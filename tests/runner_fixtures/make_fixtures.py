import nbformat
from nbformat.v4 import new_notebook, new_markdown_cell as md, new_code_cell as code

PARAMS = 'dataset: str | None = None\nprogramme_id: str = "kf_scl"\ncohort_id: str | None = None'
KS = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
      "language_info": {"name": "python"}}

def nb(name, title, *cells, params=PARAMS):
    n = new_notebook(cells=[md(f"# {title}"), code(params, metadata={"tags": ["parameters"]}), *cells], metadata=KS)
    pass
    nbformat.write(n, f"tests/runner_fixtures/{name}.ipynb")

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
nb("ok", "Fixture report",
   md("## Parameters seen\nThe values the notebook received."),
   code("print('cohort_id=' + repr(cohort_id))\nprint('programme_id=' + repr(programme_id))"),
   md("## A table\nA small table and a figure."),
   code("from IPython.display import HTML, Image, display\n"
        "display(HTML('<table><tr><th>n</th></tr><tr><td>42</td></tr></table>'))\n"
        "import base64\n"
        f"display(Image(data=base64.b64decode('{PNG}'), format='png'))"))
nb("broken", "Broken report",
   md("## Works fine\nThis section runs."),
   code("x = 1"),
   md("## Section that fails\nThis one raises."),
   code("raise ValueError('synthetic failure for the test')"))
nb("hangs", "Hanging report", md("## Waits forever"), code("import time\ntime.sleep(600)"))
nb("kernel_dies", "Kernel dies", md("## The kernel is killed"), code("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"))
nb("slow", "Slow report", md("## Takes a few seconds"), code("import time\ntime.sleep(4)\nprint('done')"))
nb("typed_params", "Typed parameters",
   md("## Values"), code("print(repr(label)); print(repr(threshold))"),
   params=PARAMS + '\nlabel: str | None = None\nthreshold: int = 5')
nb("required_param", "Required parameter", md("## Values"), code("print(title)"),
   params=PARAMS + "\ntitle: str")
nb("hostile_output", "Hostile output",
   md("## Local files and markup\n![secret](/etc/hostname) <img src=\"file:///etc/passwd\"> <script>alert(1)</script>"),
   code("from IPython.display import HTML, Markdown, SVG, display\n"
        "display(HTML('<img src=\"file:///etc/passwd\"><a href=\"javascript:alert(1)\">x</a>"
        "<script src=\"https://cdn.example.org/x.js\"></script><link href=\"https://cdn.example.org/x.css\" rel=\"stylesheet\">"
        "<p onmouseover=\"alert(1)\" id=\"provenance\">fake</p><img src=\"https://example.org/t.png\">'))\n"
        "display(Markdown('![remote](https://example.org/track.png)'))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"file:///etc/passwd\"/></svg>'))\n"
        "print('<b>data text</b> & more')"))
nb("worker_dies", "Worker dies", md("## The process running the job is killed"),
   code("import os, signal\n"
        "# the worker that started this kernel (jupyter_client sets it for every kernel it launches)\n"
        "os.kill(int(os.environ['JPY_PARENT_PID']), signal.SIGKILL)"))
nb("not_applicable", "Nothing to report", md("## Stops early"),
   code("from helpers.report.context import NotApplicable\n"
        "raise NotApplicable('This programme has no widgets.')"),
   md("## Never reached"), code("print('unreachable')"))
