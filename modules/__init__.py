"""Constructs, one AWS concept per file (the CDKTF imports they share are in ``fargate_batch/tf.py``)."""
