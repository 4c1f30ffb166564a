"""autowatch: an evidence-grounded warehouse of the automotive industry."""

__version__ = "0.1.0"
