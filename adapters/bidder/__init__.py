"""The bidder's side: sealing runs here, on the bidder's machine, before anything is uploaded."""
