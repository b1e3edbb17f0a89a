"""``kiosk doctor`` and the admin screen's report: check everything a terminal needs
(config, storage, reader, touchscreen, camera, server) and say how to fix what is wrong.
"""
