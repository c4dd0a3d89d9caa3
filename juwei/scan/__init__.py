"""Counting by scanner (扫描计票, issue 16): reading marked paper ballots from page images.

Layered beside ``juwei.ballots``: it may import ``juwei.rules`` and the read-models; the
engine (``juwei.elections``) never imports it. Needs the ``scan`` extra (OpenCV, NumPy,
pypdfium2, zxing-cpp).
"""
