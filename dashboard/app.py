"""Open Model Observatory dashboard: `omo serve` (or `streamlit run dashboard/app.py`)."""

import streamlit as st

st.set_page_config(page_title="Open Model Observatory", page_icon="🔭", layout="wide")

pages = [
    st.Page("views/overview.py", title="Overview", icon="🏠", default=True),
    st.Page("views/prices.py", title="Prices", icon="💲"),
]
st.navigation(pages).run()
