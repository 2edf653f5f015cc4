def inject_layout():
    return {}
