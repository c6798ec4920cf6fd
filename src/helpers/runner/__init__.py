"""``leadeval run``: turn parameterised notebooks into published HTML reports.

Flat modules, one concern each (after papermill's own layout):

manifest   reports.yaml -> list of jobs expanded against the dataset
params     strict parameter checks from a notebook's ``parameters`` cell
hashing    input hashes that decide whether a job must run again
execute    one job: papermill execution in its own working directory, timeouts, retry
export     executed notebook -> one self-contained HTML page (our nbconvert template)
sanitize   allow-list HTML sanitiser for everything that came out of a kernel
publish    atomic writes, stale marking, the manifest/index records
index      reports/index.html and reports/manifest.json
lock       one run per reports folder
progress   progress lines and the final summary
kernels    where each job's kernel comes from: forks of a per-worker template (one strategy)
pool       long-lived local worker processes
dask_backend  the same jobs on a dask.distributed cluster
commands   ``run_command(args) -> int``
"""
