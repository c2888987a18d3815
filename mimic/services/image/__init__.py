# -*- test-case-name: mimic.test.test_image -*-
"""
Image: a Glance v2 API over the images each tenant sees in each region,
the very store compute's image proxy and ``createImage`` action use.
"""
