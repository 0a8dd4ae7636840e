/* Searchable pickers: <select data-picker="URL"> becomes a Tom Select that asks URL?q=… */
"use strict";
