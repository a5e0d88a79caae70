"""Framework integrations: tensorboardX-style `add_*` methods and the Keras callback."""
