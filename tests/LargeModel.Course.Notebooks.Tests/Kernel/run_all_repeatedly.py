"""Runs a notebook again and again, each time in a fresh kernel, with the real Jupyter client (nbclient).

usage: python3 run_all_repeatedly.py NOTEBOOK.ipynb RUNS [WORKING_FOLDER]
Every run is a "Run All" that goes on past errors (allow_errors), so a failing cell is counted, not fatal.
Prints one line per run that had error outputs and a last line "runs N, runs with errors M, error outputs K";
exits 1 when any run had an error output.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient

source, runs = sys.argv[1], int(sys.argv[2])
folder = sys.argv[3] if len(sys.argv) > 3 else os.path.dirname(os.path.abspath(source))
failed_runs = error_outputs = 0
for run in range(runs):
    notebook = nbformat.read(source, as_version=4)
    NotebookClient(notebook, timeout=300, startup_timeout=120, allow_errors=True,
                   resources={"metadata": {"path": folder}}).execute()
    errors = [(index, output) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    if errors:
        failed_runs += 1
        error_outputs += len(errors)
        index, first = errors[0]
        print(f"run {run + 1}: cell {index}: {first.ename}: {first.evalue}", flush=True)
print(f"runs {runs}, runs with errors {failed_runs}, error outputs {error_outputs}", flush=True)
sys.exit(1 if failed_runs else 0)
