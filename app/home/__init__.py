"""The plan's overview pages, which gather what several areas hold: the home page (committees
with their number of commitments) and a committee's page (its members and its commitments).

It sits above plans and commitments (it imports both; neither imports it), so that plans stays
at the bottom of the areas. Its pages keep their `plans.home` and `plans.committee` endpoints
(the plan's public addresses, linked from every area): app/home/views.py adds them to the plans
blueprint, before the app registers it.
"""
