"""Pictures drawn without a GPU: mesh thumbnails rasterised with numpy into Pillow images (headless, in CI,
in a worker process). The interactive viewer draws with the GPU and lives in `desktop/`.
"""
