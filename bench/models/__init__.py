"""The measured modules: layers and reference classifiers (`build`), implementations, loops, layouts, precisions."""
