"""The cost explorer (`make dashboard`, README "Dashboards and BI tools"): ``data`` holds every query, on the
published copy of the marts, and ``app`` draws it with Streamlit."""
