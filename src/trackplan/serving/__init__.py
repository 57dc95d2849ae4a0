"""`trackplan serve`: the Avo-compatible Import and Export HTTP API over plan repositories, with
service accounts, rate limits and a browsable docs site. `app.create_app` is the entry."""
