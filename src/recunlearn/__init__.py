"""recunlearn: reproducible, comparable recommendation unlearning.

The package has two layers. The core (``data``, ``models``, ``training``,
``unlearning``, ``evaluation``) is plain typed Python and PyTorch: it never imports
Kedro and never opens files. ``pipelines`` and ``datasets`` adapt the catalog to it.
"""

__version__ = "0.1.0"
