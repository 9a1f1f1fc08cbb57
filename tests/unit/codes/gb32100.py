"""Reference data for the code tests, written out from the sources on its own so that the
code's tables are checked against it, not against themselves."""

# GB 32100-2015 附录A as quoted by secondary sources (with A and N added later), written out
# here on its own so that the code's table is checked against it, not against itself.
HEADS = ["11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39", "41", "49",
         "51", "52", "53", "59", "61", "62", "69", "71", "72", "79", "81", "89", "91", "92",
         "93", "A1", "A9", "N1", "N2", "N3", "N9", "Y1"]
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
             "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
             "63", "64", "65", "71", "81", "82"]
