"""Executes a notebook with the real Jupyter client (nbclient), as `jupyter nbconvert --execute` would.

usage: python3 execute_notebook.py SOURCE.ipynb EXECUTED.ipynb [TIMEOUT_SECONDS [WORKING_FOLDER]]
The kernel comes from the notebook's kernelspec (.net-csharp), looked up in JUPYTER_DATA_DIR and the usual places.
Exits non-zero, with nbclient's message, when a cell fails.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient

source, executed = sys.argv[1], sys.argv[2]
timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 600
notebook = nbformat.read(source, as_version=4)
client = NotebookClient(notebook, timeout=timeout, startup_timeout=120,
                        resources={"metadata": {"path": sys.argv[4] if len(sys.argv) > 4 else os.path.dirname(os.path.abspath(source))}})
try:
    client.execute()
finally:
    nbformat.write(notebook, executed)
