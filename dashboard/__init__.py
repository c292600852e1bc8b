"""Streamlit dashboard. Reads only the published serving copy, never the writer's file."""
