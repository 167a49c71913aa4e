"""The `tile` dialect's op classes (tile.loop, tile.load_window, tile.empty,
tile.store), generated from dialects/Tile/IR/TileOps.td."""

from vtile.dialects._tile_ops_gen import *  # noqa: F401,F403
