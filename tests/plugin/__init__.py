"""The pytest plugin as users run it (child pytest runs), through network faults and lost targets."""
