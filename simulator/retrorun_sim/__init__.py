"""The FTMS treadmill simulator: belt physics on a Clock and the server side of FTMS."""
