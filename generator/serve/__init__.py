"""The counter web page, ``leaflet serve``: find a leaflet, choose how to print it, preview, open or print it."""
