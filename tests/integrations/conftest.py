import os

# Keras picks its backend once, at first import: the integrations run Keras 3 on PyTorch.
os.environ["KERAS_BACKEND"] = "torch"
