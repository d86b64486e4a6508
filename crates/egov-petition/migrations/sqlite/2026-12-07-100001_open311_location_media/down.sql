DROP TABLE petition_open311;
