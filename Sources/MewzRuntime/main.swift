print("mewz-runtime: not built yet")
