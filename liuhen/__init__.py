"""The façade: configuration loading, the ``liuhen`` command and the demo."""
