"""The area registry (区划): national divisions, townships and villages, custom areas."""
