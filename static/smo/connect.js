// Facebook Login appends "#_=_" to its redirect and browsers keep it: tidy the address bar.
if (location.hash === "#_=_") history.replaceState(null, "", location.pathname + location.search);
