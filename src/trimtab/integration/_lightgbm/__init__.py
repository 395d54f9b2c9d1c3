"""LightGBM support: the pruning callback and the stepwise tuner (``LightGBMTuner``)."""
