"""Open Model Observatory dashboard: `omo serve` (or `streamlit run dashboard/app.py`)."""

import streamlit as st

st.set_page_config(page_title="Open Model Observatory", page_icon="🔭", layout="wide")

pages = [
    st.Page("views/overview.py", title="Overview", icon=":material/monitor_heart:", default=True),
    st.Page("views/prices.py", title="Prices", icon=":material/payments:"),
]
st.navigation(pages).run()
