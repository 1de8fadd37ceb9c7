"""`make bench`: Homeward's figures at force scale, as ratios against raw-SQL baselines."""
